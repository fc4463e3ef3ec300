"""`make bench`: answer quality, abstention and speed of articlebot, compared with a standard
LangChain pipeline and with each retriever alone. Writes BENCHMARKS.md and plots.

Benchmark-only code: nothing in index/ or bot/ imports it, and LangChain is imported only here."""
