DROP TABLE old_feature;
