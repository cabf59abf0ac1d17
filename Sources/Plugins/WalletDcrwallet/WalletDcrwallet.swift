// WalletDcrwallet: filled by its issue.
enum WalletDcrwalletModule {}
