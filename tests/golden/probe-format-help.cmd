probe --format help
