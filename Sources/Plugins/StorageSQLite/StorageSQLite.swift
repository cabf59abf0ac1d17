// StorageSQLite: filled by its issue.
enum StorageSQLiteModule {}
