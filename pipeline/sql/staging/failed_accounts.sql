-- failed_accounts: accounts a bank has refused for a person; payments to them are held until
-- the roster (or the death registration, for a grant) gives another account.
-- Grain: one row per person per refused account per line type.
with
failed as (
    select batch_id, line_no from returns_so_far where result = 'failed'
),

final as (
    select distinct i.id_number, i.account_number, i.line_type
    from issued_lines as i
    join failed using (batch_id, line_no)
)

select * from final order by id_number, account_number, line_type
