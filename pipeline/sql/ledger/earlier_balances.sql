-- earlier_balances: what was paid and is still owed before this month's entries, by the person's
-- current ID: an old ID's balances are the new ID's (id_links, as the ledger is read), summed.
-- Grain: one row per person per period per component with any earlier ledger entry.
--   net_fen   net of every earlier entry (SPEC §5's paid before this month's reversals)
--   owed_fen  net of the earlier entries of settlement 'owed': < 0 is money still owed
with
followed as (
    select coalesce(l.new_id_number, b.id_number) as id_number, b.period, b.component, b.net_fen, b.owed_fen
    from balances_before as b
    left join id_links as l on b.id_number = l.old_id_number
),

final as (
    select id_number, period, component, sum(net_fen)::bigint as net_fen, sum(owed_fen)::bigint as owed_fen
    from followed
    group by id_number, period, component
)

select * from final
