-- ledger_sums: the balances as the earlier months' entries sum to, from the whole ledger: the
-- reference path (`payout verify`), and the start of a month whose month before carried none.
-- Grain: one row per person (ID as the entries carry it) per period per component with any
-- earlier ledger entry.
--   net_fen   sum of amount_fen of every earlier entry
--   owed_fen  sum of amount_fen of the earlier entries of settlement 'owed'
with
final as (
    select id_number, period, component, sum(amount_fen)::bigint as net_fen,
           coalesce(sum(amount_fen) filter (where settlement = 'owed'), 0)::bigint as owed_fen
    from prior_ledger_as_filed
    group by id_number, period, component
)

select * from final
