// PoolTestKit: filled by its issue.
enum PoolTestKitModule {}
