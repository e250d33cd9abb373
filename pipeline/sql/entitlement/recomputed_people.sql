-- recomputed_people: the people whose due is computed again for every month, and whose every gap
-- is judged again (SPEC §5, decided: due recomputed only where it can change). Everyone else keeps
-- the due the month before computed, in every month but the repriced ones (repriced_periods, the
-- run month among them), and their gaps there are the month before's: nil, since every gap it did
-- not settle is in its holds and their people are here.
-- Grain: one row per person (ID).
-- Inputs: due_inputs and due_inputs_before (the month before's; empty: everyone is recomputed),
-- holds_before (the month before's holds), reversals, id_links.
with
inputs_differ as (
    -- a value due reads differs from the month before's, or the person is new to it
    select id_number from (
        select * from due_inputs
        except
        select * exclude (run_month) from due_inputs_before
    )
),

gone as (
    select id_number from due_inputs_before anti join due_inputs using (id_number)
),

held_before as (
    select id_number from holds_before
),

money_returned as (
    -- an entry the bank sent back is unpaid again
    select id_number from reversals
),

linked as (
    -- both IDs of a correction: the old ID's entries are the new ID's
    select old_id_number as id_number from id_links
    union all
    select new_id_number from id_links
),

final as (
    select distinct id_number from (
        select * from inputs_differ
        union all select * from gone
        union all select * from held_before
        union all select * from money_returned
        union all select * from linked
    )
)

select * from final
