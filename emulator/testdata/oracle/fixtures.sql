-- Rows of the tables no vector writes: loaded once, after schema.sql.

insert into planets values (1, 'Tatooine'), (2, 'Alderaan');

insert into orchestral_sections values (1, 'strings'), (2, 'percussion'), (3, 'woodwinds');
insert into instruments values (1, 'violin', 1), (2, 'guzheng', 1), (3, 'drum', 2), (4, 'harp', null);
insert into players values (1, 'Itzhak', 1), (2, 'Hilary', 1), (3, 'Evelyn', 3);

insert into issues values
  (1, 'Cache invalidation', '{is:open,priority:low}'),
  (2, 'Flaky test', '{is:closed,severity:high}'),
  (3, 'Odd tags', '{"a,b","c d","\"q\""}'),
  (4, 'Misread tags', '{a,b,"c d",q}');

insert into classes values
  (1, 'Art', '{monday,friday}'),
  (2, 'Math', '{monday,tuesday,saturday}'),
  (3, 'Music', '{wednesday}');

insert into locations values (1, 'Lighthouse');

insert into texts values
  (1, 'green eggs and ham'),
  (2, 'ham and cheese'),
  (3, 'cheese and bacon'),
  (4, 'the fat cat'),
  (5, 'eggs ham omelette');

insert into reservations values
  (1, 'Emerald', '[2000-01-01 13:00+00, 2000-01-01 13:30+00)'),
  (2, 'Topaz', '[2000-01-01 15:30+00, 2000-01-01 16:30+00)'),
  (3, 'Ruby', '[2000-01-02 09:00+00, 2000-01-02 10:00+00)');

analyze planets, orchestral_sections, instruments, players, issues, classes,
  locations, texts, reservations;
