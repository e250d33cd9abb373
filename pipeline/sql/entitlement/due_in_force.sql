-- due_in_force: due as the ledger must end up: due and the account refunds (SPEC §5a), after the
-- rule that a funeral grant or an account refund once issued stays as issued whatever a later
-- death registration (or account entry) says. The month's scope only, as due computes it (the
-- state's due file: every other key is as the latest month whose scope held it left it).
-- Grain: one row per person per period per component with money due, in the scope.
--   due_fen  integer fen owed
with
issued_before as (
    select distinct id_number, component from paid
    where component in ('funeral_grant', 'account_refund') and paid_fen > 0
),

wanted as (
    select * from due
    union all
    select * from account_refunds
),

final as (
    select w.* from wanted as w
    where not exists (
        select 1 from issued_before as i where i.id_number = w.id_number and i.component = w.component
    )
    union all
    select p.id_number, p.period, p.component, p.paid_fen from paid as p
    where exists (
        select 1 from issued_before as i where i.id_number = p.id_number and i.component = p.component
    )
)

select * from final order by id_number, period, component
