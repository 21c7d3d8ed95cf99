-- Members' signed answer sheets (phiếu lấy ý kiến, ký số) for written opinions: one per
-- member and poll, for the ballot of theirs that counted when it came. The sheet itself
-- travels in the feed; this row says which ballot it answers.
CREATE TABLE answer_sheets (
    poll_id     TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    -- The answered ballot's fingerprint (SHA-256 of what its device signed).
    ballot      TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (poll_id, member_id)
);
