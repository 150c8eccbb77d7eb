"""Load stage: site files and settings read with their positions, validated into typed models; the plaque registry."""
