// WalletSimnet: filled by its issue.
enum WalletSimnetModule {}
