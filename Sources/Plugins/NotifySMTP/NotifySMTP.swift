// NotifySMTP: filled by its issue.
enum NotifySMTPModule {}
