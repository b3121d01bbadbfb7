-- Rows of the tables the vectors write: reloaded before the first vector and
-- before every vector that follows a write (or has a setup).
truncate characters, countries, cities, users, messages, private.secrets restart identity;

insert into characters (id, name, "full name", "first name", "weird,col", active, born, data, note, score, tags, planet_id) values
  (1, 'Luke', 'Luke Skywalker', 'Luke', 'x', true, '2023-01-02T03:04:05.678Z', '{"a": 1}', null, 1.5, '{a,b}', 1),
  (2, 'Leia', 'Leia Organa', 'Leia', null, true, '2020-06-01T00:00:00Z', '{"a": 2}', 'princess', 2, '{a,"b,c"}', 2),
  (3, 'Han', 'Han Solo', 'Han', null, false, null, null, null, null, null, null),
  (4, 'Skywalker, Luke', null, null, null, null, null, null, null, null, '{a,b,c}', null),
  (5, 'Luke (Jedi)', null, null, null, null, null, null, null, null, null, null),
  (6, 'say "hi"', null, null, null, null, null, null, null, null, null, null),
  (7, 'null', null, null, null, null, null, null, null, null, null, null),
  (8, null, null, null, null, null, null, null, null, null, null, null),
  (9, 'O''Brien', null, null, null, null, null, null, null, null, null, null),
  (10, 'Han  Solo ', null, null, null, null, null, null, null, null, null, null),
  (11, 'a.b.c', null, null, null, null, null, null, null, null, null, null),
  (12, 'ünïcødé 日本 👋', null, null, null, null, null, null, null, null, null, null),
  (13, 'a&b=c?d#e/f+g%h', null, null, null, null, null, null, null, null, null, null),
  (14, 'a\b', null, null, null, null, null, null, null, null, null, null);
select setval(pg_get_serial_sequence('characters', 'id'), 100);

insert into countries (id, name, active, capital, region) values
  (1, 'Albania', true, 'Tirana', 'EU'),
  (2, 'China', false, 'Beijing', 'AS'),
  (3, 'Indonesia', null, 'Jakarta', 'AS'),
  (4, null, null, null, null);
select setval(pg_get_serial_sequence('countries', 'id'), 100);

insert into cities values (1, 'Bali', 3), (2, 'Jakarta', 3), (3, 'Beijing', 2), (4, 'Tirana', 1);

insert into users (id, name, handle, org, display_name, data, address, tags) values
  (7, 'Jane', 'jane', 1, 'Jane D', '{"a": {"b": "c"}, "name": "x"}', '{"postcode": 90210, "city": "Beverly Hills", "tags": ["a"]}', '{x}'),
  (8, 'John', 'john', 2, 'John D', '{"name": "y"}', '{"postcode": 90210}', null),
  (42, 'Saoirse', 'saoirse', 1, 'Old name', null, null, null);

insert into messages values (1, 'Hello', 7, 8), (2, 'Hi back', 8, 7);

insert into private.secrets values (1, 10, false), (2, 20, true);

-- Exact statistics, so that planned counts are the row counts.
analyze characters, countries, cities, users, messages, private.secrets;
