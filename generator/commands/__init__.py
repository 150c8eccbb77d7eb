"""The command line and the preview: thin layers over the stages."""
