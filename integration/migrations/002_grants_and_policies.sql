-- Privileges and policies of the suite, applied after 001 on every tier.
-- Idempotent.

-- Supabase grants these through default privileges; granting them here
-- too makes the suite independent of a database's defaults.
grant usage on schema public to anon, authenticated, service_role;
grant all on all tables in schema public to anon, authenticated, service_role;
grant all on all sequences in schema public to anon, authenticated, service_role;
grant execute on all functions in schema public to anon, authenticated, service_role;

-- Profiles: everyone reads, a user writes only their own.
alter table public.profiles enable row level security;
drop policy if exists "profiles: read" on public.profiles;
create policy "profiles: read" on public.profiles for select using (true);
drop policy if exists "profiles: own insert" on public.profiles;
create policy "profiles: own insert" on public.profiles
  for insert to authenticated with check (id = auth.uid());
drop policy if exists "profiles: own update" on public.profiles;
create policy "profiles: own update" on public.profiles
  for update to authenticated using (id = auth.uid()) with check (id = auth.uid());

-- A function returning the caller's id, to see RLS identity through RPC.
create or replace function public.whoami() returns uuid
  language sql stable as $$ select auth.uid() $$;

-- Storage: in buckets whose id starts with 'own-', an authenticated user
-- reads and writes only under the folder named by their user id.
drop policy if exists "own folder: read" on storage.objects;
create policy "own folder: read" on storage.objects for select to authenticated
  using (bucket_id like 'own-%' and (storage.foldername(name))[1] = auth.uid()::text);
drop policy if exists "own folder: insert" on storage.objects;
create policy "own folder: insert" on storage.objects for insert to authenticated
  with check (bucket_id like 'own-%' and (storage.foldername(name))[1] = auth.uid()::text);
drop policy if exists "own folder: update" on storage.objects;
create policy "own folder: update" on storage.objects for update to authenticated
  using (bucket_id like 'own-%' and (storage.foldername(name))[1] = auth.uid()::text)
  with check (bucket_id like 'own-%' and (storage.foldername(name))[1] = auth.uid()::text);
drop policy if exists "own folder: delete" on storage.objects;
create policy "own folder: delete" on storage.objects for delete to authenticated
  using (bucket_id like 'own-%' and (storage.foldername(name))[1] = auth.uid()::text);

notify pgrst, 'reload schema';
