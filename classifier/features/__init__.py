"""Features: TF-IDF over lemmas and characters, and sentence-encoder embeddings."""
