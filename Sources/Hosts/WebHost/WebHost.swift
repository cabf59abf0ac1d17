// WebHost: filled by its issue.
enum WebHostModule {}
