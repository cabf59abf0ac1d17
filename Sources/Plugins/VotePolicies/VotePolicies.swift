// VotePolicies: filled by its issue.
enum VotePoliciesModule {}
