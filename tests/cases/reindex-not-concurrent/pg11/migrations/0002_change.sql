REINDEX INDEX users_score_idx;
