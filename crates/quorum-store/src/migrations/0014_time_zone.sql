-- The zone the committee's times are read and written in, as the hub says.
ALTER TABLE committees ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Asia/Ho_Chi_Minh';
