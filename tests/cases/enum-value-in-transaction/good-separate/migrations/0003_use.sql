UPDATE orders SET status = 'refunded' WHERE total < 0;
