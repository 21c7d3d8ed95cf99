-- Signed answer sheets (phiếu lấy ý kiến, ký số) for written opinions, as the hub passes
-- them on: the member's own, and for the chair and secretaries everyone's.
CREATE TABLE answer_sheets (
    poll_id   TEXT NOT NULL,
    member_id TEXT NOT NULL,
    pdf       BLOB NOT NULL,
    PRIMARY KEY (poll_id, member_id)
);
