-- contributions_by_tier: the year's accepted contributions per tier (档次 1..tiers of the policy,
-- SPEC §3), from the year's contributions file. A person's payment of a year is counted once,
-- under the tier of their latest row (a later row corrects an earlier one), with every row's money.
-- Grain: one row per tier, empty tiers included.
--   tier           1..getvariable('tiers')
--   contributors   people whose (latest) tier it is
--   personal_fen   their personal payments (个人缴费), fen
--   subsidy_fen    their government subsidies (政府补贴), fen
with
tiers as (
    select unnest(range(1, getvariable('tiers') + 1)) as tier
),

latest_tier as (
    select id_number, tier
    from contributions
    qualify row_number() over (partition by id_number order by paid_on desc, source_file desc, source_row desc) = 1
),

per_person as (
    select c.id_number, any_value(l.tier) as tier, sum(c.personal_fen) as personal_fen,
           sum(c.subsidy_fen) as subsidy_fen
    from contributions as c
    join latest_tier as l using (id_number)
    group by c.id_number
),

final as (
    select t.tier::bigint as tier, count(p.id_number) as contributors,
           coalesce(sum(p.personal_fen), 0)::bigint as personal_fen,
           coalesce(sum(p.subsidy_fen), 0)::bigint as subsidy_fen
    from tiers as t
    left join per_person as p using (tier)
    group by t.tier
)

select * from final order by tier
