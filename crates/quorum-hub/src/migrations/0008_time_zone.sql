-- The zone a committee's times are read and written in; Vietnam's unless set.
ALTER TABLE committees ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Asia/Ho_Chi_Minh';
