-- 居保缴费续缴质量 contribution data quality: contribution rows of the year accepted by validation ÷
-- all contribution rows read.
-- Grain of the result: one row.
select
    (select count(*) from contributions) as numerator,
    (select count(*) from contributions) + (select count(*) from contribution_rejects) as denominator
