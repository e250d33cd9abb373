-- earlier_balances: what was paid and is still owed before this month's entries, for the keys the
-- month judges or settles (its scope), by the person's current ID: an old ID's balances are the
-- new ID's (id_links, as the ledger is read), summed. Any other key's net is the month before's,
-- which left it no gap (SPEC §5): it is not read into the month.
-- Grain: one row per person per period per component with any earlier ledger entry, in the scope:
--   every key of the recomputed people (both IDs of a correction among them), of the repriced
--   months, every funeral grant and account refund, the account components of the dead and of the
--   terminated (their refund debits them), and every key with money still owed (a grant settles it).
-- Inputs: balances_before, id_links, recomputed_people, repriced_periods, due, people.
--   net_fen   net of every earlier entry (SPEC §5's paid before this month's reversals)
--   owed_fen  net of the earlier entries of settlement 'owed': < 0 is money still owed
-- The carried balances have one row per key already: only the rows of corrected IDs (both the old
-- and the new) are regrouped.
with
people_in_scope as (
    select id_number from recomputed_people
    union
    select id_number from due where component = 'funeral_grant'
    union
    select id_number from people where status = 'terminated'
),

in_scope as (
    select id_number, period, component, net_fen, owed_fen
    from balances_before
    where component in ('funeral_grant', 'account_refund')
        or owed_fen <> 0
        or period in (select period from repriced_periods)
        or id_number in (select id_number from people_in_scope)
),

linked_ids as (
    select old_id_number as id_number from id_links
    union
    select new_id_number from id_links
),

unlinked as (
    select * from in_scope where id_number not in (select id_number from linked_ids)
),

linked as (
    select coalesce(l.new_id_number, b.id_number) as id_number, b.period, b.component,
           sum(b.net_fen)::bigint as net_fen, sum(b.owed_fen)::bigint as owed_fen
    from in_scope as b
    left join id_links as l on b.id_number = l.old_id_number
    where b.id_number in (select id_number from linked_ids)
    group by all
),

final as (
    select * from unlinked
    union all
    select * from linked
)

select * from final
