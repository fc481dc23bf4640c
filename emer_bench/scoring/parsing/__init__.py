"""Reading one model answer: a category of a closed label set, valence/arousal numbers."""
