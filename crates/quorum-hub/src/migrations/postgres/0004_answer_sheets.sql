-- As ../0013_answer_sheets.sql: members' signed answer sheets for written opinions.
CREATE TABLE answer_sheets (
    poll_id     TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    ballot      TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (poll_id, member_id)
);
