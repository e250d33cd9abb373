-- deaths_in_force: the registration that counts for each dead person.
-- Grain: one row per person registered dead this month or earlier; a later registration of the
-- same ID corrects an earlier one (latest registered_on, then run month, file, row).
with
ranked as (
    select *, registration_rank(id_number, registered_on, run_month, source_file, source_row) as rank_latest
    from deaths
),

final as (
    select * exclude (rank_latest) from ranked where rank_latest = 1
)

select * from final order by id_number
