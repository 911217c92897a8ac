ALTER TABLE users ADD CONSTRAINT users_email_name_plan_nickname_score_must_be_unique_together_constraint UNIQUE (email, name, plan, nickname, score);
