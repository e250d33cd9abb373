-- earlier_balances: what was paid and is still owed before this month's entries, by the person's
-- current ID: an old ID's balances are the new ID's (id_links, as the ledger is read), summed.
-- Grain: one row per person per period per component with any earlier ledger entry.
--   net_fen   net of every earlier entry (SPEC §5's paid before this month's reversals)
--   owed_fen  net of the earlier entries of settlement 'owed': < 0 is money still owed
-- The carried balances have one row per key already: only the rows of corrected IDs (both the old
-- and the new) are regrouped.
with
linked_ids as (
    select old_id_number as id_number from id_links
    union
    select new_id_number from id_links
),

unlinked as (
    select id_number, period, component, net_fen, owed_fen
    from balances_before
    where id_number not in (select id_number from linked_ids)
),

linked as (
    select coalesce(l.new_id_number, b.id_number) as id_number, b.period, b.component,
           sum(b.net_fen)::bigint as net_fen, sum(b.owed_fen)::bigint as owed_fen
    from balances_before as b
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
