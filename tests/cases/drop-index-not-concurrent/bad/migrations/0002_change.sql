DROP INDEX users_score_idx;
