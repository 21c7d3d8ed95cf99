-- Annotations now also arrive from the hub: the member's own from their other laptops,
-- and those others shared with the meeting.
-- `unanchored_in` is the document version an annotation could not be placed on when
-- the secretary replaced its document: it stays where it was, listed for the member.
ALTER TABLE annotations ADD COLUMN unanchored_in TEXT;
CREATE INDEX annotations_by_document_id ON annotations (json_extract(json, '$.documentId'));
