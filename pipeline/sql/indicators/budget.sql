-- budget_actuals: what the year actually cost, per budget line and township.
-- Grain: one row per township per budget line.
--   line          base_pension | topup65 | funeral_grant | contribution_subsidy | account_pension
--   actual_fen    net money the year's runs moved (cash basis: entries written by the year's run
--                 months, whatever period they belong to); subsidy: contributions of the year
with
pension as (
    select township_code,
           case component when 'base' then 'base_pension' when 'topup65' then 'topup65'
                          when 'funeral_grant' then 'funeral_grant' else 'account_pension' end as line,
           sum(amount_fen)::bigint as actual_fen
    from year_ledger
    where run_month in (select run_month from year_months)
    group by all
),

subsidy as (
    select coalesce(r.township_code, '') as township_code, 'contribution_subsidy' as line,
           sum(c.subsidy_fen)::bigint as actual_fen
    from contributions as c
    left join (
        select id_number, arg_max(township_code, run_month) as township_code from year_roster group by id_number
    ) as r using (id_number)
    group by all
),

final as (
    select * from pension union all select * from subsidy
)

select * from final order by township_code, line
