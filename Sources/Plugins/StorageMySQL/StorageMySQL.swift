// StorageMySQL: filled by its issue.
enum StorageMySQLModule {}
