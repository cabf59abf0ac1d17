// NotifyLog: filled by its issue.
enum NotifyLogModule {}
