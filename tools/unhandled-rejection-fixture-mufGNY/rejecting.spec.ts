it('leaves a rejection unhandled', async () => {
         void Promise.reject(new Error('nobody handled me'));
         await new Promise((resolve) => setTimeout(resolve, 20));
       });
       it('is a good test', () => expect(1).toBe(1));
