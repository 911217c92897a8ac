REINDEX TABLE users;
REINDEX INDEX users_score_idx;
