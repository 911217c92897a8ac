UPDATE posts SET legacy_slug = $2 WHERE id = $1;
UPDATE posts SET views = views + 1 WHERE legacy_slug = $1;
UPDATE posts SET title = $2 WHERE id = $1 RETURNING id, legacy_slug;
DELETE FROM posts WHERE id = $1 RETURNING legacy_slug;
UPDATE posts p SET views = 0 FROM tags t WHERE t.post_id = p.id AND t.tag = p.legacy_slug;
-- these do not touch the slug
UPDATE posts SET views = views + 1 WHERE id = $1 RETURNING views;
DELETE FROM posts WHERE id = $1 RETURNING id, title;
INSERT INTO posts (title, body) SELECT title, body FROM posts WHERE id = $1 RETURNING id;
