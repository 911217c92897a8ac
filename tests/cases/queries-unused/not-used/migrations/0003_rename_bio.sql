-- No query of the previous version uses users.bio: the rename does not break it.
ALTER TABLE users RENAME COLUMN bio TO about;
