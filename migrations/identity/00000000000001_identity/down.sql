DROP TABLE tags;
DROP TABLE subjects;
DROP TABLE applications;
