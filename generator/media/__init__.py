"""Media stage: photos, narration, videos and panoramas made ready for phones, cached by content."""
