-- The text of each page of each document here, extracted once when the document
-- arrives, so searching never waits for the PDF reader.
CREATE TABLE page_texts (
    sha256 TEXT NOT NULL,
    page   INTEGER NOT NULL,
    text   TEXT NOT NULL,
    PRIMARY KEY (sha256, page)
) STRICT;

-- Documents whose text was extracted (possibly none: a scan, or a damaged file).
CREATE TABLE texts_extracted (
    sha256       TEXT PRIMARY KEY,
    pages        INTEGER NOT NULL,
    extracted_at TEXT NOT NULL
) STRICT;
