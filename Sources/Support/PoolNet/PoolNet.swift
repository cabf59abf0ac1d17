// PoolNet: filled by its issue.
enum PoolNetModule {}
