"""Read and write: tables (CSV, XLSX, JSONL, in chunks) and documents (.txt, .docx, .pdf)."""
