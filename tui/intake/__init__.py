"""Getting articles in: pages and feeds from the web, saved pages and files, written to the library.

A pure core (no Textual): `fetch` (HTTP, paced per host), `robots` (robots.txt rules), `extract`
(article text and metadata), `feeds` (feed list, feed reading, fetch history), `library_writer`
(Markdown files) and `intake` (duplicates at the door, adding, fetching every feed), shared by the
CLI and the app.
"""
