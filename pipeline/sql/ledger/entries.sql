-- entries: the month's new ledger entries before bank lines are numbered.
-- Grain: one row per person per period per component per kind/settlement.
--   kind        payment | recovery | reversal
--   reason      payment: current | arrears; recovery: after_death | after_employee_pension |
--               correction | owed_set_off; reversal: bank_failed
--   settlement  how the money moves: bank (a payment line), set_off (a recovery taken from the
--               same person's funeral grant in this run), owed (a recovery the person owes; with
--               reason owed_set_off and a positive amount: earlier owed money now settled),
--               returned (a reversal)
-- A grant issued in this run first covers this run's recoveries, then what earlier runs left
-- owed (SPEC §5, decided): each such (period, component) gets a pair owed_set_off/owed (+) and
-- owed_set_off/set_off (-) on the funeral line; net paid is unchanged, the owed sum falls.
--   line_type   pension | funeral: the bank file that carries it (null when no bank line does)
with
payments as (
    select
        id_number, township_code, period, component, 'payment' as kind, reason,
        gap_fen as amount_fen,
        case when funeral then payee_bank_code else bank_code end as bank_code,
        case when funeral then payee_account_number else account_number end as account_number,
        'bank' as settlement,
        case when funeral then 'funeral' else 'pension' end as line_type,
        case when funeral then death_file else roster_file end as source_file,
        case when funeral then death_row else roster_row end as source_row
    from (select *, on_funeral_line(component, death_month) as funeral from positions)
    where action = 'payment'
),

grants_this_run as (
    -- the funeral line of each deceased paid this run: the grant and the account refund (SPEC
    -- §5a): recoveries are set off against the line's total, the grant's share first (the funeral
    -- list shows the split)
    select id_number, sum(amount_fen)::bigint as grant_fen, any_value(bank_code) as bank_code,
           any_value(account_number) as account_number, any_value(township_code) as township_code,
           any_value(source_file) as source_file, any_value(source_row) as source_row
    from payments where line_type = 'funeral'
    group by id_number
),

recoveries as (
    select
        r.id_number, r.township_code, r.period, r.component, r.reason,
        -r.gap_fen as owed_fen,
        coalesce(g.grant_fen, 0) as grant_fen, g.bank_code, g.account_number,
        -- recovery money already covered by earlier recoveries of the same person
        coalesce(sum(-r.gap_fen) over (
            partition by r.id_number order by r.period, r.component
            rows between unbounded preceding and 1 preceding), 0)::bigint as covered_before,
        case when r.reason = 'after_death' then r.death_file else r.roster_file end as source_file,
        case when r.reason = 'after_death' then r.death_row else r.roster_row end as source_row
    from positions as r
    left join grants_this_run as g using (id_number)
    where r.action = 'recovery'
),

recoveries_split as (
    select *, greatest(0, least(owed_fen, grant_fen - covered_before)) as set_off_fen
    from recoveries
),

set_off as (
    select id_number, township_code, period, component, 'recovery' as kind, reason,
           -set_off_fen as amount_fen, bank_code, account_number, 'set_off' as settlement,
           'funeral' as line_type, source_file, source_row
    from recoveries_split where set_off_fen > 0
),

owed as (
    select id_number, township_code, period, component, 'recovery' as kind, reason,
           -(owed_fen - set_off_fen) as amount_fen, null as bank_code, null as account_number,
           'owed' as settlement, null as line_type, source_file, source_row
    from recoveries_split where owed_fen > set_off_fen
),

owed_before as (
    -- money earlier runs left owed and still outstanding: an owed recovery and the entries that
    -- later settled it all carry settlement 'owed', so their sum (earlier_balances) is what is still owed
    select id_number, period, component, -owed_fen as owed_fen
    from earlier_balances
    where owed_fen < 0 and id_number in (select id_number from grants_this_run)
),

grant_left as (
    -- what of this run's grant is left once this run's own recoveries are set off
    select g.*, g.grant_fen - coalesce((
        select sum(r.set_off_fen) from recoveries_split as r where r.id_number = g.id_number
    ), 0)::bigint as left_fen
    from grants_this_run as g
),

owed_before_split as (
    select o.id_number, o.period, o.component,
           greatest(0, least(o.owed_fen, g.left_fen - coalesce(sum(o.owed_fen) over (
               partition by o.id_number order by o.period, o.component
               rows between unbounded preceding and 1 preceding), 0)))::bigint as set_off_fen,
           g.township_code, g.bank_code, g.account_number, g.source_file, g.source_row
    from owed_before as o
    join grant_left as g using (id_number)
),

owed_settled as (
    select id_number, township_code, period, component, 'recovery' as kind, 'owed_set_off' as reason,
           set_off_fen as amount_fen, null as bank_code, null as account_number, 'owed' as settlement,
           null as line_type, source_file, source_row
    from owed_before_split where set_off_fen > 0
),

owed_set_off as (
    select id_number, township_code, period, component, 'recovery' as kind, 'owed_set_off' as reason,
           -set_off_fen as amount_fen, bank_code, account_number, 'set_off' as settlement,
           'funeral' as line_type, source_file, source_row
    from owed_before_split where set_off_fen > 0
),

returned as (
    select id_number, township_code, period, component, kind, reason, amount_fen, bank_code,
           account_number, 'returned' as settlement, null as line_type, source_file, source_row,
           reverses_entry_id
    from reversals
),

final as (
    select *, null as reverses_entry_id from payments
    union all select *, null from set_off
    union all select *, null from owed
    union all select *, null from owed_settled
    union all select *, null from owed_set_off
    union all select * from returned
)

select * from final
