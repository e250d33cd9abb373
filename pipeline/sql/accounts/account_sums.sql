-- account_sums: the account balances as the earlier months' entries sum to, from every earlier
-- account entry: the start of a month whose month before carried no account balances (the first
-- month, a folder of older runs). The same table as accounts/account_balances carries.
-- Grain: one row per person (ID as the entries carry it) per component per year with any entry.
-- Inputs: prior_accounts (every account entry of earlier months), params (run_month).
--   net_fen                sum of amount_fen of every earlier entry
--   held_on_1_january_fen  sum of those held on 1 January of the run month's year (periods before
--                          it, and the opening balance)
--   run_month              the run month: held_on_1_january_fen is already of its year
with
final as (
    select a.id_number, a.component, a.year, sum(a.amount_fen)::bigint as net_fen,
           coalesce(sum(a.amount_fen) filter (
               where a.component = 'opening' or a.period < left(params.run_month, 4) || '-01'), 0)::bigint
               as held_on_1_january_fen,
           params.run_month
    from prior_accounts as a
    cross join params
    group by a.id_number, a.component, a.year, params.run_month
)

select * from final
