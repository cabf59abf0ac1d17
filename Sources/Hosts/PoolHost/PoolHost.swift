// PoolHost: filled by its issue.
enum PoolHostModule {}
