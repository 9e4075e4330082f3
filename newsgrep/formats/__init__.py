"""Article files in, `Article` values out: one module per family of formats, and the
decoding of bytes into text that they share."""
