"""The benchmark (`edukpi bench`, `python -m bench.run`) beside its staff queries (queries.sql) and results (results/)."""
